package io.gradquant.harness;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.Backend;
import io.gradquant.backend.Backends;
import io.gradquant.backend.CpuBackend;
import io.gradquant.backend.CudaBackend;
import io.gradquant.reference.JavaBackend;
import java.util.Locale;

/**
 * Where training runs and which backend quantizes: {@code cpu} trains on DJL CPU tensors with the
 * cpu (or java) backend on zero-copy views; {@code gpu} trains on DJL CUDA tensors with the cuda
 * backend on device addresses; {@code auto} picks gpu when DJL sees a GPU and the cuda backend
 * works, else cpu. The variance probe always quantizes host copies, so it gets a host backend.
 *
 * @param device       the DJL training device
 * @param backend      the backend that quantizes the training gradients
 * @param probeBackend the backend the variance probe quantizes host copies with
 * @param reason       one line saying what was chosen and why
 */
public record DeviceChoice(Device device, Backend backend, Backend probeBackend, String reason) {
    /** Names accepted for the device. */
    public static final String NAMES = "auto, cpu, gpu";

    /**
     * Resolves the device and backend.
     *
     * @param mode    auto, cpu or gpu
     * @param backend auto, java, cpu or cuda
     * @param threads threads of the cpu backend (0 = all)
     * @throws IllegalArgumentException for an unknown mode or a backend that cannot serve the device
     * @throws IllegalStateException    when the GPU or the cuda backend is not available, saying why
     */
    public static DeviceChoice resolve(String mode, String backend, int threads) {
        String m = mode.trim().toLowerCase(Locale.ROOT);
        switch (m) {
            case "cpu":
                return cpu(backend, threads, "--device cpu");
            case "gpu":
                return gpu(backend, threads);
            case "auto":
                String why = gpuUnavailable(backend, threads);
                if (why == null) {
                    return gpu(backend, threads);
                }
                return cpu(backend, threads, "--device auto chose the CPU (" + why + ")");
            default:
                throw new IllegalArgumentException("unknown device '" + mode + "': allowed are " + NAMES);
        }
    }

    private static DeviceChoice cpu(String backend, int threads, String why) {
        Backend chosen;
        switch (backend) {
            case "cuda":
                throw new IllegalArgumentException("--backend cuda quantizes GPU memory, but training runs on the"
                        + " CPU: use --device gpu, or --backend cpu or java");
            case "auto":
                chosen = CpuBackend.unavailableReason() == null ? new CpuBackend(threads) : new JavaBackend();
                break;
            default:
                chosen = Backends.create(backend, threads).backend();
        }
        Backend probe = chosen;
        return new DeviceChoice(Device.cpu(), chosen, probe, why + ", backend " + chosen.name());
    }

    private static DeviceChoice gpu(String backend, int threads) {
        if (!backend.equals("auto") && !backend.equals("cuda")) {
            throw new IllegalArgumentException("--backend " + backend + " cannot quantize GPU memory: training on"
                    + " the GPU needs --backend cuda (or auto)");
        }
        int gpus = Engine.getInstance().getGpuCount();
        if (gpus == 0) {
            throw new IllegalStateException("--device gpu: DJL's PyTorch engine sees no GPU. The default build puts"
                    + " the CPU-only PyTorch natives (pytorch-native-cpu) on the class path, which pins DJL to the"
                    + " CPU: on a CUDA machine build with 'mvn -Pgpu package' (see the README's GPU section)");
        }
        Backend cuda;
        try {
            cuda = Backends.create("cuda", threads).backend();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("--device gpu: " + e.getMessage(), e);
        }
        if (!(cuda instanceof AddressBackend a) || a.memory() != AddressBackend.Memory.CUDA_DEVICE) {
            throw new IllegalStateException("--device gpu: backend cuda does not quantize device memory by address");
        }
        Backend probe = CpuBackend.unavailableReason() == null ? new CpuBackend(threads) : new JavaBackend();
        // DJL trains on the device the backend quantizes on (one per MPI rank on a multi-GPU node)
        Device device = Device.gpu(cuda instanceof CudaBackend c ? c.deviceOrdinal() : 0);
        return new DeviceChoice(device, cuda, probe, "training on " + device + " (" + gpus
                + " GPU(s) visible), backend cuda");
    }

    /** Null when GPU training can be used, else why not. */
    private static String gpuUnavailable(String backend, int threads) {
        if (!backend.equals("auto") && !backend.equals("cuda")) {
            return "--backend " + backend + " is a host backend";
        }
        if (Engine.getInstance().getGpuCount() == 0) {
            return "DJL's PyTorch engine sees no GPU";
        }
        try {
            Backends.create("cuda", threads);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
