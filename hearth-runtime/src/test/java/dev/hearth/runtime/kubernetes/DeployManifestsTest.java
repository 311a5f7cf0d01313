package dev.hearth.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/kubernetes/*.yaml} read with fabric8's serialization (each document a known Kubernetes kind) and
 * created in the mock API server: what the README promises of them holds.
 */
class DeployManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private final MockCluster cluster = new MockCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    private List<HasMetadata> all() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    all.addAll(cluster.kube.load(in).items());
                }
            }
        }
        return all;
    }

    private <T> T one(List<HasMetadata> all, Class<T> kind) {
        return all.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    @Test
    void everyManifestParsesAndTheMockApiServerTakesIt() throws IOException {
        List<HasMetadata> all = all();

        assertThat(all).extracting(HasMetadata::getKind).contains("Namespace", "ServiceAccount", "Role",
                "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Deployment", "Service");
        for (HasMetadata o : all) {
            assertThat(cluster.kube.resource(o).create()).as(o.getKind()).isNotNull();
        }
    }

    @Test
    void theControlPlaneRunsTwoReplicasOnPostgresqlWithTheKubernetesRuntime() throws IOException {
        Deployment d = one(all(), Deployment.class);

        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        var c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(c.getArgs()).contains("serve", "--runtime=kubernetes", "--namespace=hearth");
        assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("HEARTH_STORE_URL"));
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(one(all(), ServiceAccount.class).getMetadata().getName());
        Service s = one(all(), Service.class);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec()
                .getSelector());
        assertThat(c.getArgs()).contains("--kubernetes-worker-url=http://" + s.getMetadata().getName() + "."
                + s.getMetadata().getNamespace() + ".svc:" + s.getSpec().getPorts().getFirst().getPort());
    }

    @Test
    void theControlPlaneMayTouchOnlyPodsAndSecretsOfItsNamespaceAndReadNodes() throws IOException {
        List<HasMetadata> all = all();
        Role role = one(all, Role.class);

        assertThat(role.getMetadata().getNamespace()).isEqualTo("hearth");
        assertThat(role.getRules().stream().flatMap(r -> r.getResources().stream()))
                .containsOnly("pods", "secrets");
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getApiGroups()).containsOnly(""));
        ClusterRole cluster = one(all, ClusterRole.class);
        assertThat(cluster.getRules()).singleElement().satisfies((PolicyRule r) -> {
            assertThat(r.getResources()).containsOnly("nodes");
            assertThat(r.getVerbs()).containsOnly("get", "list", "watch");
        });
        assertThat(one(all, RoleBinding.class).getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    }
}
