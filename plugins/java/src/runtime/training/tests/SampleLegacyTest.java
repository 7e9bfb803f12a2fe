import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class SampleLegacyTest {
    @Test
    public void doublesNumbers() {
        assertEquals(6, new Sample().twice(3));
    }
}
