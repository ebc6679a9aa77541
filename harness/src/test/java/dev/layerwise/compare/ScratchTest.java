package dev.layerwise.compare;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.trace.TraceWriter;
import dev.layerwise.numeric.DType;
import java.nio.file.*;
import org.junit.jupiter.api.Test;
class ScratchTest {
  @Test void show() throws Exception {
    Path d = Path.of("/tmp/lwscratch"); Files.createDirectories(d);
    TraceWriter.write(SeedTraces.reference(), d.resolve("candle.json"), AtomicFiles.Overwrite.ALLOW);
    TraceWriter.write(SeedTraces.candidate(), d.resolve("tensorlogic.json"), AtomicFiles.Overwrite.ALLOW);
    ToyLlama toy = ToyLlama.create();
    TraceWriter.write(toy.run(DType.FLOAT32), d.resolve("toy32.json"), AtomicFiles.Overwrite.ALLOW);
    TraceWriter.write(toy.run(DType.FLOAT16), d.resolve("toy16.json"), AtomicFiles.Overwrite.ALLOW);
    TraceWriter.write(toy.run(DType.FLOAT32, ToyLlama.Fault.NO_CAUSAL_MASK), d.resolve("toymask.json"), AtomicFiles.Overwrite.ALLOW);
    TraceWriter.write(toy.run(DType.FLOAT32, ToyLlama.Fault.NONE, true), d.resolve("toy32rev.json"), AtomicFiles.Overwrite.ALLOW);
    System.out.println("CLI exit " + dev.layerwise.cli.LayerwiseCli.run("compare", "/tmp/lwscratch/candle.json", "/tmp/lwscratch/tensorlogic.json", "--report-dir", "/tmp/lwscratch/seedreport"));
    System.out.println("CLI exit " + dev.layerwise.cli.LayerwiseCli.run("compare", "/tmp/lwscratch/toy32.json", "/tmp/lwscratch/toymask.json", "--report-dir", "/tmp/lwscratch/maskreport"));
  }
}
