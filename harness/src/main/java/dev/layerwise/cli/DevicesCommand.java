package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.opencl.OpenClDevice;
import dev.layerwise.engine.opencl.OpenClDevices;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code layerwise devices}: the OpenCL platforms and devices {@code --engine opencl --device} can pick. */
@Command(name = "devices", description = {"Lists the OpenCL devices (--engine opencl --device P:D|N|NAME picks one).",
            "Exit status: 0 at least one device, 2 no OpenCL platform."})
public final class DevicesCommand extends LayerwiseCommand {

    @Override
    public Integer call() {
        List<OpenClDevice> devices = OpenClDevices.all();
        if (devices.isEmpty()) {
            OpenClDevices.select(null); // throws the one-line "no OpenCL platform" error
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "no OpenCL device");
        }
        OpenClDevice chosen = OpenClDevices.select(null);
        for (OpenClDevice d : devices) {
            out().println((d.equals(chosen) ? "* " : "  ") + d.describe());
        }
        return 0;
    }
}
