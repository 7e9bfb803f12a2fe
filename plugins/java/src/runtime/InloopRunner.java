import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a solution with the task's tests and runs the tests, all in one JVM, so the JVM starts
 * once per run instead of twice. Runs inside INLOOP's Java grading container.
 *
 * <p>Exit codes: 0 all tests passed, 1 some failed, 2 no tests were found, 3 the code did not
 * compile, 4 the runner itself failed.
 */
public final class InloopRunner {
    private InloopRunner() {}

    public static void main(String[] args) {
        Path submission = Path.of(args.length > 0 ? args[0] : "/submission");
        Path tests = Path.of(args.length > 1 ? args[1] : "/task/tests");
        Path classes = Path.of(args.length > 2 ? args[2] : "/tmp/classes");
        Path reports = Path.of(args.length > 3 ? args[3] : "/report");
        try {
            System.exit(run(submission, tests, classes, reports));
        } catch (Exception e) {
            System.err.println("The grading runner failed: " + e);
            System.exit(4);
        }
    }

    static int run(Path submission, Path tests, Path classes, Path reports) throws IOException {
        List<Path> sources = new ArrayList<>();
        collect(submission, sources);
        collect(tests, sources);
        Files.createDirectories(classes);
        if (!compile(sources, classes, submission, tests)) {
            return 3;
        }
        PrintStream out = System.out;
        int code = org.junit.platform.console.ConsoleLauncher.execute(out, System.err,
                "--disable-banner", "--disable-ansi-colors", "--details=tree", "--fail-if-no-tests",
                "--class-path", classes.toString(), "--scan-class-path", classes.toString(),
                "--reports-dir", reports.toString()).getExitCode();
        return code;
    }

    private static void collect(Path root, List<Path> sources) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().forEach(sources::add);
        }
    }

    private static boolean compile(List<Path> sources, Path classes, Path submission, Path tests) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-encoding", "UTF-8", "-g", "-nowarn",
                    "-Xlint:none", "-Xmaxerrs", "50", "-implicit:none",
                    "-cp", System.getProperty("java.class.path"));
            boolean ok = compiler.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                String where = d.getSource() == null ? "" : shortName(Path.of(d.getSource().toUri()), submission, tests);
                System.err.println(where + ":" + d.getLineNumber() + ": error: " + d.getMessage(Locale.ROOT));
                if (d.getSource() != null && d.getLineNumber() > 0) {
                    String line = sourceLine(Path.of(d.getSource().toUri()), d.getLineNumber());
                    if (line != null) {
                        System.err.println("    " + line);
                        if (d.getColumnNumber() > 0) {
                            System.err.println("    " + " ".repeat((int) d.getColumnNumber() - 1) + "^");
                        }
                    }
                }
            }
            return ok;
        }
    }

    private static String shortName(Path file, Path submission, Path tests) {
        if (file.startsWith(submission)) {
            return submission.relativize(file).toString();
        }
        if (file.startsWith(tests)) {
            return "tests/" + tests.relativize(file);
        }
        return file.getFileName().toString();
    }

    private static String sourceLine(Path file, long number) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.skip(number - 1).findFirst().map(String::stripTrailing).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
