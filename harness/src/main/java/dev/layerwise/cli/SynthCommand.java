package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.model.synth.Dimensions;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code layerwise synth}: writes a seeded synthetic Llama checkpoint (docs/synthetic-checkpoints.md). */
@Command(name = "synth", description = {"Writes a seeded synthetic Llama checkpoint (config.json + model.safetensors).",
            "Every byte is determined by the preset, the overrides, the seed and the dtype."})
public final class SynthCommand extends LayerwiseCommand {

    @Option(names = "--preset", required = true, paramLabel = "NAME", converter = OptionConverters.SynthPreset.class,
            description = "${COMPLETION-CANDIDATES}")
    Preset preset;

    @Option(names = "--seed", required = true, paramLabel = "N", description = "Seed (a non-negative integer).")
    long seed;

    @Option(names = "--dtype", required = true, paramLabel = "DTYPE", converter = OptionConverters.Dtype.class,
            description = "Storage dtype: f32 | f16 | bf16.")
    DType dtype;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output checkpoint folder: new, empty, or a previous synth output (with --force).")
    Path out;

    @Option(names = "--force", description = "Replace a previous synth output in --out, or add the checkpoint beside other"
            + " files there (a config.json or model.safetensors that Layerwise did not write is never replaced).")
    boolean force;

    @Option(names = "--hidden-size", paramLabel = "N", description = "Model width (HF hidden_size). Default: the preset's.")
    Integer hiddenSize;
    @Option(names = "--intermediate-size", paramLabel = "N", description = "MLP width (HF intermediate_size). Default: the preset's.")
    Integer intermediateSize;
    @Option(names = "--num-hidden-layers", paramLabel = "N", description = "Number of decoder layers. Default: the preset's.")
    Integer numHiddenLayers;
    @Option(names = "--num-attention-heads", paramLabel = "N",
            description = "Query heads; must divide --hidden-size. Default: the preset's.")
    Integer numAttentionHeads;
    @Option(names = "--num-key-value-heads", paramLabel = "N",
            description = "Key/value heads (grouped-query attention); must divide --num-attention-heads. Default: the preset's.")
    Integer numKeyValueHeads;
    @Option(names = "--head-dim", paramLabel = "N", description = "Width of one head (even). Default: hidden size / attention heads.")
    Integer headDim;
    @Option(names = "--vocab-size", paramLabel = "N", description = "Vocabulary size (rows of the embedding and lm_head). Default: the preset's.")
    Integer vocabSize;
    @Option(names = "--rms-norm-eps", paramLabel = "X", description = "RMSNorm epsilon (> 0). Default: the preset's.")
    Double rmsNormEps;
    @Option(names = "--rope-theta", paramLabel = "X", description = "RoPE base frequency (> 0). Default: the preset's.")
    Double ropeTheta;
    @Option(names = "--max-position-embeddings", paramLabel = "N",
            description = "Longest input the config allows. Default: the preset's.")
    Integer maxPositionEmbeddings;

    @Override
    public Integer call() {
        SyntheticModel model = model();
        long t0 = System.nanoTime();
        new SyntheticCheckpointWriter().write(model, out, force);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long params = model.tensors().stream()
                .mapToLong(s -> Shapes.elementCount(s.shape())).sum();
        PrintWriter w = out();
        w.printf(Locale.ROOT, "wrote %s (%s, seed %d, %s): %d tensors, %,d parameters, %,d bytes of weights in %.1f s%n",
                out, model.preset().cliName(), seed, model.dtype().shortName(), model.tensors().size(), params,
                params * model.dtype().byteSize(), seconds);
        w.flush();
        return 0;
    }

    SyntheticModel model() {
        if (dtype == DType.FLOAT64) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "--dtype: f64 is not supported (expected f32|f16|bf16)");
        }
        if (seed < 0) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "--seed: must be a non-negative integer, found " + seed);
        }
        Dimensions base = preset.dimensions();
        int hidden = or(hiddenSize, base.dims().hidden());
        int heads = or(numAttentionHeads, base.dims().heads());
        Dimensions dims = new Dimensions(hidden,
                or(intermediateSize, base.dims().intermediate()),
                or(numHiddenLayers, base.dims().layers()),
                heads,
                or(numKeyValueHeads, base.dims().kvHeads()),
                headDim != null ? headDim : heads > 0 ? hidden / heads : 0,
                or(vocabSize, base.dims().vocab()),
                rmsNormEps != null ? rmsNormEps : base.rmsNormEps(),
                ropeTheta != null ? ropeTheta : base.ropeTheta(),
                or(maxPositionEmbeddings, base.maxPositionEmbeddings()));
        return new SyntheticModel(preset, dims.validate(), seed, dtype);
    }

    private static int or(Integer override, int presetValue) {
        return override != null ? override : presetValue;
    }
}
