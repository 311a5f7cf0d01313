package dev.hearth.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library version, reported in heartbeats so the control plane can tell worker builds apart. */
final class Version {

    /** {@code hearth-java-<version>}, the heartbeat's {@code runpod_version}. */
    static final String TAG = "hearth-java-" + load();

    private Version() {
    }

    private static String load() {
        // Filled in by Maven resource filtering; a missing or unfiltered file (an IDE build) reads as "dev".
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
