package dev.hearth.server.metering;

import dev.hearth.metering.UsageStore;
import dev.hearth.server.budgets.BudgetService;

/** What the HTTP API needs of metering: the recorded usage, the recorder's unwritten part, prices and budgets. */
public record Metering(UsageStore store, UsageRecorder recorder, PriceCatalogFile prices, BudgetService budgets) {
}
