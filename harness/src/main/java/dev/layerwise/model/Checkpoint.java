package dev.layerwise.model;

import java.nio.file.Path;
import java.util.Set;

/** A loaded model checkpoint: its config and its (memory-mapped) tensors by HF name. */
public interface Checkpoint extends AutoCloseable {

    Path directory();

    LlamaConfig config();

    Set<String> tensorNames();

    /**
     * The tensor called {@code name}.
     *
     * @throws dev.layerwise.LayerwiseException (exit 2) naming the checkpoint and the missing tensor
     */
    Tensor tensor(String name);

    /** Releases the mappings; tensors must not be used afterwards. */
    @Override
    void close();
}
