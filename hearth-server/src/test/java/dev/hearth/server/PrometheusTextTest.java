package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test parser itself: it must reject what Prometheus rejects, or the metrics test proves nothing. */
class PrometheusTextTest {

    private static final String GOOD = """
            # HELP jobs_total Jobs done, with a \\\\ and a \\n
            # TYPE jobs_total counter
            jobs_total{function="a\\"b",status="OK"} 3.0
            jobs_total{function="c",status="OK"} 1 1700000000000
            # TYPE lat histogram
            lat_bucket{le="0.1"} 1
            lat_bucket{le="+Inf"} 2
            lat_sum 0.5
            lat_count 2
            # A comment
            up NaN
            """;

    @Test
    void parsesFamiliesLabelsEscapesAndHistograms() {
        var m = PrometheusText.parse(GOOD);

        assertThat(m.get("jobs_total").type()).isEqualTo("counter");
        assertThat(m.get("jobs_total").help()).isEqualTo("Jobs done, with a \\ and a \n");
        assertThat(m.get("jobs_total").value("jobs_total", Map.of("function", "a\"b"))).isEqualTo(3.0);
        assertThat(m.get("lat").value("lat_count", Map.of())).isEqualTo(2);
        assertThat(m.get("up").type()).isEqualTo("untyped");
    }

    @Test
    void rejectsWhatPrometheusRejects() {
        assertRejected("bad-name 1\n");
        assertRejected("x{a=\"1\"} one\n");
        assertRejected("x{a=1} 1\n");
        assertRejected("x{a=\"\\t\"} 1\n");
        assertRejected("x 1\ny 1\nx 2\n");
        assertRejected("x 1\nx 2\n");
        assertRejected("x 1\n# TYPE x counter\n");
        assertRejected("# TYPE x counter\nx -1\n");
        assertRejected("# TYPE x sometype\nx 1\n");
        assertRejected("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n");
        assertRejected("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n");
        assertRejected("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n");
        assertRejected("x 1");
    }

    private static void assertRejected(String text) {
        assertThatThrownBy(() -> PrometheusText.parse(text)).as(text).isInstanceOf(PrometheusText.ParseError.class);
    }
}
