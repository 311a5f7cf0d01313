package dev.hearth.server.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import dev.hearth.server.CraftedZip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleStoreTest {

    @Test
    void unpackingAnEntryThatExpandsHugelyWritesNoByteBeyondTheCap(@TempDir Path into) throws IOException {
        BundleLimits limits = new BundleLimits(1 << 20, 10);
        byte[] zip = new CraftedZip().stored("hearth.yaml", "name: big\n").zeros("weights.bin", 4).bytes();

        assertThatThrownBy(() -> BundleStore.unzip(zip, into, limits))
                .isInstanceOf(HearthException.PayloadTooLarge.class);

        long written = Files.size(into.resolve("hearth.yaml")) + Files.size(into.resolve("weights.bin"));
        assertThat(written).isLessThanOrEqualTo(limits.maxBytes());
    }
}
