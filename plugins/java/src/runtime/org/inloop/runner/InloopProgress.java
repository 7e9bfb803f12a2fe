package org.inloop.runner;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Tells INLOOP how far a run is: appends one JSON line per finished test (and first the number of
 * planned tests) to the file named by the system property {@code inloop.progress}. JUnit finds
 * this listener through {@code META-INF/services}. Writing to a file rather than to the console
 * keeps the student's output apart and survives tests that replace {@code System.out}.
 */
public final class InloopProgress implements TestExecutionListener {
    private PrintStream out;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        String path = System.getProperty("inloop.progress");
        if (path == null || path.isEmpty()) {
            return;
        }
        try {
            out = new PrintStream(new FileOutputStream(path, true), true, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return;
        }
        out.println("{\"planned\":" + plan.countTestIdentifiers(TestIdentifier::isTest) + "}");
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        report(test, "skipped");
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        String status;
        switch (result.getStatus()) {
            case SUCCESSFUL:
                status = "passed";
                break;
            case ABORTED:
                status = "skipped";
                break;
            default:
                status = result.getThrowable().filter(t -> t instanceof AssertionError).isPresent() ? "failed" : "error";
        }
        report(test, status);
    }

    private void report(TestIdentifier test, String status) {
        if (out == null || !test.isTest()) {
            return;
        }
        out.println("{\"test\":" + InloopRunner.quote(test.getLegacyReportingName()) + ",\"status\":\"" + status + "\"}");
    }
}
