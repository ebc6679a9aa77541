package dev.layerwise.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.testing.Components;
import org.junit.jupiter.api.Test;

/** Device choice and device failures are one line with exit status 2, never a JOCL exception. */
class OpenClErrorsTest {

    @Test
    void anUnknownDeviceNamesTheDevicesThereAre() {
        Components.requireOpenCl();
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> OpenClDevices.select("no-such-device"));
        assertEquals(LayerwiseException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("no OpenCL device 'no-such-device'"), e.getMessage());
        assertTrue(e.getMessage().contains(OpenClDevices.all().get(0).name()), e.getMessage());
    }

    @Test
    void devicesAreFoundByAddressIndexAndName() {
        Components.requireOpenCl();
        OpenClDevice first = OpenClDevices.all().get(0);
        assertEquals(first.address(), OpenClDevices.select(first.address()).address());
        assertEquals(first.address(), OpenClDevices.select("0").address());
        assertEquals(first.address(), OpenClDevices.select(first.name().substring(0, 4).toUpperCase()).address());
    }

    @Test
    void aKernelThatFailsToBuildIsOneLineWithTheBuildLog() {
        Components.requireOpenCl();
        // a macro that turns a function name in common.cl into a syntax error
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> OpenClContext.open(OpenClDevices.select(null), "-DMODEL_DTYPE=1 -Dround_bf16=1+"));
        assertEquals(LayerwiseException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("kernels/*.cl failed to build"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
