package org.inloop.runner;

import java.io.FilePermission;
import java.lang.reflect.ReflectPermission;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.Permission;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.PropertyPermission;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Confines the solution's code in the JVM it shares with the tests and the test framework, the
 * way a security manager was made to: every permission check walks the stack, and a check with
 * a frame of the solution's classes on it is decided by the rules below; all other code (the
 * JDK, JUnit, the tests, this runner) may do anything. So a solution cannot end the run early
 * (System.exit, Runtime.halt), write a report, reflect into the runner or the framework, start a
 * process, load native code, change system properties or the console, or even refer to the test
 * framework's classes (package access), also not from threads it starts.
 */
final class Sandbox extends Policy {
    /** Packages the solution may not use: the test framework, its libraries, this runner. */
    private static final String FRAMEWORK_PACKAGES =
            "org.junit.,junit.,org.opentest4j.,org.apiguardian.,org.hamcrest.,org.inloop.";

    /** Where the solution may write: the scratch space, not the classes compiled into it. */
    private static final String SCRATCH = "/tmp/";
    private static final List<String> NOT_SCRATCH = List.of("/tmp/inloop/", "/tmp/inloop");
    /** What it may not even read: the reports, the host's and the processes' insides. */
    private static final List<String> UNREADABLE = List.of("/report", "/proc", "/sys", "/dev/mem");

    private final String solution;
    /** Whether a domain is the solution's, by domain: every permission check asks for each frame. */
    private final Map<ProtectionDomain, Boolean> solutionDomains = new ConcurrentHashMap<>();

    private Sandbox(Path solutionClasses) {
        this.solution = solutionClasses.toUri().getPath();
    }

    static void install(Path solutionClasses) {
        String denied = Security.getProperty("package.access");
        Security.setProperty("package.access",
                denied == null || denied.isEmpty() ? FRAMEWORK_PACKAGES : denied + "," + FRAMEWORK_PACKAGES);
        Policy.setPolicy(new Sandbox(solutionClasses));
        System.setSecurityManager(new SecurityManager());
    }

    @Override
    public boolean implies(ProtectionDomain domain, Permission permission) {
        return domain == null || !solutionDomains.computeIfAbsent(domain, this::isSolution)
                || allowedToSolution(permission);
    }

    private boolean isSolution(ProtectionDomain domain) {
        CodeSource source = domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return location != null && location.getPath().startsWith(solution);
    }

    static boolean allowedToSolution(Permission permission) {
        if (permission instanceof FilePermission) {
            return fileAllowed(permission.getName(), permission.getActions());
        }
        if (permission instanceof PropertyPermission) {
            return permission.getActions().equals("read");
        }
        if (permission instanceof RuntimePermission) {
            String name = permission.getName();
            return name.startsWith("getenv.") || name.equals("modifyThread")
                    || name.equals("modifyThreadGroup") || name.equals("getStackTrace");
        }
        if (permission instanceof ReflectPermission) {
            return false;
        }
        return false;
    }

    static boolean fileAllowed(String name, String actions) {
        if (name.equals("<<ALL FILES>>")) {
            return false;
        }
        Path path = Path.of(name);
        if (!path.isAbsolute()) {
            path = Path.of(System.getProperty("user.dir", "/tmp")).resolve(path);
        }
        String normal = path.normalize().toString();
        for (String action : actions.split(",")) {
            boolean allowed = switch (action) {
                case "read", "readlink" -> UNREADABLE.stream().noneMatch(
                        root -> normal.equals(root) || normal.startsWith(root + "/"));
                case "write", "delete" -> normal.startsWith(SCRATCH)
                        && NOT_SCRATCH.stream().noneMatch(root -> normal.equals(root) || normal.startsWith(root));
                default -> false;
            };
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
