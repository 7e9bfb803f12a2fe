package org.inloop.runner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.platform.console.ConsoleLauncher;
import org.junit.platform.console.ConsoleLauncherExecutionResult;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Compiles a solution with the task's tests and runs the tests, all in one JVM, so the JVM starts
 * once per run instead of twice. Runs inside INLOOP's Java grading container.
 *
 * <p>The solution's classes and the tests' classes are compiled into two folders, and before any
 * of the solution's code runs, the {@link Sandbox} confines code from the solution's folder: it
 * may not end the JVM, write files outside its scratch space, reflect into other classes, start
 * processes or use the test framework. The first line of standard input is a nonce from the host;
 * when the tests have run to the end, the runner writes the run record with it, its counts and
 * the digest of every report file, and only such a run can pass.
 *
 * <p>Exit codes: 0 all tests passed, 1 some failed, 2 no tests were found, 3 the code did not
 * compile, 4 the runner itself failed.
 */
public final class InloopRunner {
    /** Where the solution's classes go: the only code the sandbox confines. */
    static final Path SOLUTION_CLASSES = Path.of("/tmp/inloop/solution");
    /** Where the tests' classes go. */
    static final Path TEST_CLASSES = Path.of("/tmp/inloop/tests");

    private InloopRunner() {}

    public static void main(String[] args) {
        // Read before anything else runs, and gone from standard input afterwards.
        String nonce = readNonce(System.in);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Path submission = Path.of(args.length > 0 ? args[0] : "/submission");
        Path tests = Path.of(args.length > 1 ? args[1] : "/task/tests");
        Path reports = Path.of(args.length > 2 ? args[2] : "/report");
        String record = args.length > 3 ? args[3] : "inloop-run.json";
        try {
            System.exit(run(submission, tests, reports, reports.resolve(record), nonce));
        } catch (Exception e) {
            System.err.println("The grading runner failed: " + e);
            System.exit(4);
        }
    }

    private static String readNonce(InputStream in) {
        StringBuilder nonce = new StringBuilder();
        try {
            for (int c = in.read(); c >= 0 && c != '\n' && nonce.length() < 256; c = in.read()) {
                nonce.append((char) c);
            }
        } catch (IOException e) {
            return "";
        }
        return nonce.toString().strip();
    }

    static int run(Path submission, Path tests, Path reports, Path record, String nonce)
            throws IOException {
        List<Path> solution = collect(submission);
        List<Path> testSources = collect(tests);
        Files.createDirectories(SOLUTION_CLASSES);
        Files.createDirectories(TEST_CLASSES);
        if (!compile(solution, testSources, submission, tests)) {
            return 3;
        }
        Sandbox.install(SOLUTION_CLASSES);
        ConsoleLauncherExecutionResult result = ConsoleLauncher.execute(System.out, System.err,
                "--disable-banner", "--disable-ansi-colors", "--details=tree", "--fail-if-no-tests",
                "--class-path", TEST_CLASSES + ":" + SOLUTION_CLASSES,
                "--scan-class-path", TEST_CLASSES.toString(),
                "--reports-dir", reports.toString());
        int code = result.getExitCode();
        if (code == 0 || code == 1) {
            writeRecord(record, reports, nonce, result.getTestExecutionSummary().orElse(null));
        }
        return code;
    }

    /** The last thing of a run that got to its end: what the host checks before it may pass. */
    private static void writeRecord(Path record, Path reports, String nonce,
            TestExecutionSummary summary) throws IOException {
        if (summary == null) {
            return;
        }
        TreeMap<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.list(reports)) {
            for (Path file : files.sorted().collect(Collectors.toList())) {
                String name = file.getFileName().toString();
                if (name.startsWith("TEST-") && name.endsWith(".xml") && Files.isRegularFile(file)) {
                    digests.put(name, sha256(Files.readAllBytes(file)));
                }
            }
        }
        long finished = summary.getTestsSucceededCount() + summary.getTestsFailedCount()
                + summary.getTestsAbortedCount() + summary.getTestsSkippedCount();
        StringBuilder json = new StringBuilder("{\"nonce\":").append(quote(nonce))
                .append(",\"planned\":").append(summary.getTestsFoundCount())
                .append(",\"finished\":").append(finished)
                .append(",\"aborted\":").append(summary.getTestsAbortedCount())
                .append(",\"reports\":{");
        String separator = "";
        for (var entry : digests.entrySet()) {
            json.append(separator).append(quote(entry.getKey())).append(':').append(quote(entry.getValue()));
            separator = ",";
        }
        json.append("}}\n");
        Files.writeString(record, json, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON string (for the run record and the progress file). */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static List<Path> collect(Path root) throws IOException {
        List<Path> sources = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return sources;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().forEach(sources::add);
        }
        return sources;
    }

    /**
     * One compilation of solution and tests together (either may use the other), with each class
     * file written to the folder of the source it came from.
     */
    private static boolean compile(List<Path> solution, List<Path> tests, Path submission, Path testDir)
            throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<Path> sources = new ArrayList<>(solution);
        sources.addAll(tests);
        Set<URI> testUris = tests.stream().map(Path::toUri).collect(Collectors.toSet());
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(SOLUTION_CLASSES));
            JavaFileManager split = new ForwardingJavaFileManager<StandardJavaFileManager>(files) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String className,
                        JavaFileObject.Kind kind, FileObject sibling) throws IOException {
                    if (location == StandardLocation.CLASS_OUTPUT && sibling != null
                            && testUris.contains(sibling.toUri())) {
                        Path target = TEST_CLASSES.resolve(className.replace('.', '/') + kind.extension);
                        Files.createDirectories(target.getParent());
                        return files.getJavaFileObjects(target).iterator().next();
                    }
                    return super.getJavaFileForOutput(location, className, kind, sibling);
                }
            };
            List<String> options = List.of("-encoding", "UTF-8", "-g", "-nowarn",
                    "-Xlint:none", "-Xmaxerrs", "50", "-implicit:none", "-proc:none",
                    "-cp", System.getProperty("java.class.path"));
            boolean ok = compiler.getTask(null, split, diagnostics, options, null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                String where = d.getSource() == null ? "" : shortName(Path.of(d.getSource().toUri()), submission, testDir);
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
