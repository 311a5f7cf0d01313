package dev.hearth.server;

import java.net.URI;
import java.nio.file.Path;

/**
 * How to run workers as Pods of a Kubernetes cluster ({@code hearth serve --runtime kubernetes}).
 *
 * @param namespace      the namespace of the workers' Pods and Secrets
 * @param kubeconfig     the kubeconfig naming the API server and the credentials, or null for the cluster this server
 *                       runs in (its service account), else {@code $KUBECONFIG} or {@code ~/.kube/config}
 * @param image          the workers' image where the manifest names none (it must have python3)
 * @param workerUrl      where the pods reach this control plane ({@code http://hearth.hearth.svc:8420}), or null for
 *                       the URL it serves at
 * @param controlPlaneId the label value that tells this control plane's pods from others', or null for the data
 *                       dir's id; replicas that take over from each other share one
 */
public record KubernetesSettings(String namespace, Path kubeconfig, String image, URI workerUrl,
                                 String controlPlaneId) {

    public static final String DEFAULT_NAMESPACE = "hearth";

    public KubernetesSettings {
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    }
}
