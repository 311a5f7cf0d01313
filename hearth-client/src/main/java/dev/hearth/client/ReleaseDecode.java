package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the release answers of {@code /v1/functions/{fn}/versions|rollback|promote}. */
final class ReleaseDecode {

    private ReleaseDecode() {
    }

    static ReleaseInfo release(JsonNode n) {
        JsonNode c = n.get("canary");
        boolean canary = c != null && c.isObject();
        return new ReleaseInfo(Decode.text(n, "name"), n.path("active").asInt(),
                canary ? c.path("version").asInt() : null, canary ? c.path("percent").asInt() : null,
                Decode.instant(n.get("releasedAt")));
    }

    static List<VersionInfo> versions(JsonNode n) {
        List<VersionInfo> out = new ArrayList<>();
        for (JsonNode v : n.path("versions")) {
            JsonNode p = v.get("canaryPercent");
            out.add(new VersionInfo(v.path("version").asInt(), Decode.instant(v.get("deployedAt")),
                    Decode.text(v, "bundleSha256"), Decode.text(v, "status"),
                    p == null || p.isNull() ? null : p.asInt()));
        }
        return out;
    }
}
