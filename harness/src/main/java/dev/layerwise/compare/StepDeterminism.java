package dev.layerwise.compare;

import java.util.Map;

/**
 * One step across repeated runs.
 *
 * @param identical all runs recorded the same values (by {@code basis})
 * @param basis "sha256" when every run hashed the step, "stats" when exact statistics equality had to do, "missing"
 *     when some run lacks the step
 * @param spread max - min over the runs of each statistic (sum, abs_sum, sum_sq, min, max) that every run recorded
 */
public record StepDeterminism(String name, boolean identical, String basis, Map<String, Double> spread, String note) {
}
