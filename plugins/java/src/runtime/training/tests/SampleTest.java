import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SampleTest {
    @Test
    void doublesNumbers() {
        assertEquals(4, new Sample().twice(2));
    }

    @Test
    void failsOnPurposeToWarmUpTheFailurePath() {
        assertEquals(5, new Sample().twice(2));
    }
}
