package dev.hearth.store;

import dev.hearth.alerts.AlertStore;
import dev.hearth.audit.AuditStore;
import dev.hearth.budgets.BudgetStore;
import dev.hearth.functions.BundleBlobStore;
import dev.hearth.functions.FunctionStore;
import dev.hearth.jobs.JobEventStore;
import dev.hearth.jobs.JobStore;
import dev.hearth.metering.UsageStore;
import dev.hearth.releases.ReleaseStore;
import dev.hearth.secrets.SecretStore;
import dev.hearth.webhooks.WebhookDeliveryStore;
import java.util.Optional;

/**
 * Every port of one Hearth database, whichever database it is: what the control plane holds instead of a concrete
 * store. Opened by {@link Stores#open}.
 */
public interface HearthStore extends JobStore, JobEventStore, SettingsStore, UsageStore, BudgetStore, AuditStore,
        SecretStore, AlertStore {

    /** The registry of deployed functions. */
    FunctionStore functions();

    /** Webhook delivery records. */
    WebhookDeliveryStore deliveries();

    /** The release history of each function. */
    ReleaseStore releases();

    /**
     * Where code bundles go when several control-plane nodes may share this store (PostgreSQL); empty for a store
     * only one process opens (SQLite), whose bundles stay in its data directory.
     */
    Optional<BundleBlobStore> sharedBundles();

    @Override
    void close();
}
