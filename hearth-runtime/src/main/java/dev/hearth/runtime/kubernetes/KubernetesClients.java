package dev.hearth.runtime.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A client of one Kubernetes API server, and of nothing else. */
public final class KubernetesClients {

    private KubernetesClients() {
    }

    /**
     * A client of the API server a kubeconfig file names (its current context), or, without one, of the cluster this
     * process runs in (its service account), else of {@code $KUBECONFIG} or {@code ~/.kube/config}, as kubectl finds
     * it. The client talks to that API server only (plus what the kubeconfig's own authentication needs: an exec
     * plugin, an OIDC provider's token endpoint).
     *
     * @param kubeconfig a kubeconfig file, or null
     */
    public static KubernetesClient connect(Path kubeconfig) {
        Config config;
        if (kubeconfig != null) {
            try {
                config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toAbsolutePath()
                        .toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
            }
        } else {
            config = Config.autoConfigure(null);
        }
        return connect(config);
    }

    /** A client of the API server the config names. */
    public static KubernetesClient connect(Config config) {
        // a few quick retries of a failed request (fabric8's default of 10 doubling from 100 ms holds a failing
        // call for minutes); the informer's watch reconnects on its own
        config.setRequestRetryBackoffLimit(3);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
