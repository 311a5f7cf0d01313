package dev.hearth.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookTargetsTest {

    private final WebhookTargets closed = WebhookTargets.allowing(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "169.254.169.254", "fe80::1", "10.1.2.3", "172.16.0.1",
            "172.31.255.255", "192.168.1.1", "fd00::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1"})
    void addressesThatAreNotPublicAreRefusedByDefault(String address) {
        assertThat(closed.refusal(List.of(InetAddress.ofLiteral(address)))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"})
    void publicAddressesMayBeReached(String address) {
        assertThat(closed.refusal(List.of(InetAddress.ofLiteral(address)))).isEmpty();
    }

    @Test
    void oneRefusedAddressAmongSeveralRefusesTheDelivery() {
        assertThat(closed.refusal(List.of(InetAddress.ofLiteral("8.8.8.8"), InetAddress.ofLiteral("10.0.0.1"))))
                .hasValueSatisfying(why -> assertThat(why).contains("10.0.0.1").contains("private")
                        .contains("--webhook-allow"));
    }

    @Test
    void anAllowedRangeOpensExactlyThatRange() {
        WebhookTargets open = WebhookTargets.allowing(List.of("10.1.0.0/16", "::1/128", "127.0.0.1"));

        assertThat(open.refusal(List.of(InetAddress.ofLiteral("10.1.200.3")))).isEmpty();
        assertThat(open.refusal(List.of(InetAddress.ofLiteral("10.2.0.1")))).isPresent();
        assertThat(open.refusal(List.of(InetAddress.ofLiteral("::1")))).isEmpty();
        assertThat(open.refusal(List.of(InetAddress.ofLiteral("127.0.0.1")))).isEmpty();
        assertThat(open.refusal(List.of(InetAddress.ofLiteral("127.0.0.2")))).isPresent();
    }

    @Test
    void badRangesAreRefusedSayingWhatIsExpected() {
        assertThatThrownBy(() -> WebhookTargets.allowing(List.of("localhost"))).hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> WebhookTargets.allowing(List.of("10.0.0.0/33"))).hasMessageContaining("0 to 32");
    }

    @Test
    void aUrlIsCheckedWhenGiven() {
        assertThat(closed.check("https://hooks.example.com/x?y=1", "webhook").getHost()).isEqualTo("hooks.example.com");
        assertThatThrownBy(() -> closed.check("http://169.254.169.254/latest/meta-data", "webhook"))
                .isInstanceOf(HearthException.BadRequest.class).hasMessageContaining("169.254.169.254")
                .hasMessageContaining("link-local");
        assertThatThrownBy(() -> closed.check("http://[::1]:8080/", "webhook")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> closed.check("ftp://example.com/", "webhook")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> closed.check("not a url", "webhook")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> closed.check("https://example.com/" + "a".repeat(2100), "webhook"))
                .hasMessageContaining("at most 2048");
    }
}
