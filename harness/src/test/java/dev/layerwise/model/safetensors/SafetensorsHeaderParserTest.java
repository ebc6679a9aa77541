package dev.layerwise.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.synth.Dimensions;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The header of a 7B-shaped f16 checkpoint (13.5 GB) parsed without writing the file: offsets and the
 * file size are beyond 2^32, where any int arithmetic would wrap to plausible small numbers.
 */
class SafetensorsHeaderParserTest {
    private static final Path FILE = Path.of("7b/model.safetensors");
    private static final long HIDDEN = 4096;
    private static final long INTERMEDIATE = 11008;
    private static final long LAYERS = 32;
    private static final long VOCAB = 32000;

    private final SafetensorsLayout layout = sevenBillionLayout();

    @Test
    void parsesOffsetsBeyondFourGibibytesExactly() {
        SafetensorsHeader header = parse(layout.fileSize());

        long perLayer = 2 * HIDDEN + 4 * HIDDEN * HIDDEN + 3 * HIDDEN * INTERMEDIATE;
        long parameters = 2 * VOCAB * HIDDEN + LAYERS * perLayer + HIDDEN;
        assertEquals(2 + 9 * LAYERS + 1, header.tensors().size());
        assertEquals(2 * parameters, header.tensors().getLast().end());
        assertTrue(header.tensors().getLast().begin() > 3 * (1L << 32), "the last tensor must start beyond 12 GiB");
        List<TensorEntry> expected = layout.entries();
        for (int i = 0; i < expected.size(); i++) {
            TensorEntry want = expected.get(i);
            TensorEntry got = header.tensors().get(i);
            assertEquals(want.name(), got.name());
            assertEquals(want.begin(), got.begin(), want.name());
            assertEquals(want.end(), got.end(), want.name());
        }
    }

    @Test
    void aFileFourGibibytesShortIsTruncatedNotWrappedAround() {
        long wrapped = layout.fileSize() - (1L << 32);
        SafetensorsFileTest.assertBad(() -> parse(wrapped), FILE, "tensor " + layout.entries().getLast().name(),
                "is past the end of the file, which has " + (wrapped - layout.prefixAndHeader().remaining())
                        + " data bytes (truncated file)");
    }

    private SafetensorsHeader parse(long fileSize) {
        ByteBuffer prefix = layout.prefixAndHeader().order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = prefix.getLong(0);
        byte[] header = new byte[(int) headerLength];
        prefix.get(8, header);
        SafetensorsHeaderParser parser = new SafetensorsHeaderParser(FILE);
        parser.checkHeaderLength(headerLength, fileSize);
        return parser.parse(header, fileSize);
    }

    private static SafetensorsLayout sevenBillionLayout() {
        Dimensions d = new Dimensions((int) HIDDEN, (int) INTERMEDIATE, (int) LAYERS, 32, 32, 128, (int) VOCAB,
                1e-5, 10000.0, 4096);
        SyntheticModel model = new SyntheticModel(Preset.TINYLLAMA_1_1B, d, 7, DType.FLOAT16);
        return SafetensorsLayout.of(model.tensors().stream()
                .map(s -> new SafetensorsLayout.Item(s.name(), SafetensorsDType.F16, s.shape()))
                .toList(), Map.of("format", "pt"));
    }
}
