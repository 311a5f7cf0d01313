package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard's static files: public, typed, revalidated by ETag, and nothing outside their folder. */
class DashboardFilesTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(hearth.url().resolve(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRootServesThePageWithoutAKey() throws Exception {
        HttpResponse<String> page = get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Hearth</title>").contains("/dashboard/app.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("script-src 'self'");
    }

    @Test
    void scriptsAndStylesHaveTheirContentTypes() throws Exception {
        assertThat(get("/dashboard/app.js").headers().firstValue("Content-Type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(get("/dashboard/style.css").headers().firstValue("Content-Type"))
                .hasValue("text/css; charset=utf-8");
        assertThat(get("/dashboard/icon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    }

    @Test
    void filesAreRevalidatedWithTheirETag() throws Exception {
        HttpResponse<String> first = get("/dashboard/app.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = get("/dashboard/app.js", "If-None-Match", etag);

        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void nothingOutsideTheDashboardFolderIsServed() throws Exception {
        assertThat(get("/dashboard/missing.js").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/..%2Fhearth-python%2Fhearth_worker%2F__init__.py").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/%2E%2E").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/dev/hearth/server/HearthServer.class").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/app.js.map").statusCode()).isEqualTo(404);
    }

    @Test
    void theDataBehindThePageStillNeedsTheKey() throws Exception {
        assertThat(get("/v1/functions").statusCode()).isEqualTo(401);
    }
}
