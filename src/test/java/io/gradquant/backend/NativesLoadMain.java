package io.gradquant.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import jcuda.driver.JCudaDriver;

/**
 * Child JVM of {@link JCudaNativesConcurrencyTest}: says "ready", waits for the file named by its
 * argument (so that all children start loading at the same moment), then pre-seeds JCuda's natives
 * the way the backend does, loads them through JCuda and calls the driver.
 */
public final class NativesLoadMain {
    private NativesLoadMain() {
    }

    public static void main(String[] args) throws Exception {
        Path go = Paths.get(args[0]);
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(2);
        }
        JCudaNatives.preseed(JCudaNatives.DRIVER);
        int init = JCudaDriver.cuInit(0);
        int[] version = new int[1];
        int result = JCudaDriver.cuDriverGetVersion(version);
        System.out.println("loaded cuInit=" + init + " cuDriverGetVersion=" + result + " version=" + version[0]);
    }
}
