package io.gradquant.distributed;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command as N ranks on this machine: re-executes this JVM's main class with the same JVM
 * options, class path and arguments under {@code mpirun}, with what a single machine needs set for
 * the user: {@code --oversubscribe} (more ranks than cores), {@code --bind-to none} (each JVM may
 * use every core), {@code --allow-run-as-root} as root, and {@code UCX_ERROR_SIGNALS=} so that
 * UCX, where it is used, leaves the JVM's signal handlers alone. The ranks see they are ranks
 * ({@link MpiWorld#insideJob()}) and join the world instead of launching again. Further Open MPI
 * settings go in the environment ({@code OMPI_MCA_btl=tcp,self}, for example), which mpirun reads.
 */
public final class MpiLauncher {
    private MpiLauncher() {
    }

    /** The mpirun command line that runs {@code mainClass args} in this JVM's image as {@code workers} ranks. */
    public static List<String> command(int workers, String mainClass, List<String> args) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " is not allowed: it must be >= 1");
        }
        List<String> command = new ArrayList<>(List.of("mpirun", "-np", Integer.toString(workers), "--oversubscribe",
                "--bind-to", "none"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-run-as-root");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Makes sure Open MPI is installed ({@link MpiPackages}), then runs {@link #command} with this
     * process's standard output and error, and waits for it.
     *
     * @param log where the command line and any installation are reported
     * @return mpirun's exit code: 0 when every rank succeeded, otherwise the failing rank's code
     * @throws MpiException if Open MPI is missing and cannot be installed
     */
    public static int run(int workers, String mainClass, List<String> args, PrintWriter log)
            throws IOException, InterruptedException {
        new MpiPackages().ensureInstalled(log);
        List<String> command = command(workers, mainClass, args);
        log.println("gradquant: starting " + workers + " ranks with mpirun");
        log.flush();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putIfAbsent("UCX_ERROR_SIGNALS", "");
        Process mpirun = builder.start();
        // if this JVM is stopped (Ctrl-C), mpirun stops the ranks
        Thread stopper = new Thread(mpirun::destroy, "gradquant-mpirun-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            return mpirun.waitFor();
        } finally {
            if (!mpirun.isAlive()) {
                Runtime.getRuntime().removeShutdownHook(stopper);
            }
        }
    }
}
