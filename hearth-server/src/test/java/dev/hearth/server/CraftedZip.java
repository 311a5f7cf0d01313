package dev.hearth.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zips written byte by byte, for the hostile ones {@link java.util.zip.ZipOutputStream} refuses to make (the same
 * name twice, names that are not UTF-8) or would take minutes to make (gigabytes of output). Only local file headers
 * and data: the server reads a bundle as a stream, entry after entry, and never gets to a central directory.
 */
public final class CraftedZip {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A stored (uncompressed) entry; {@code name} is written as is. */
    public CraftedZip stored(byte[] name, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        header(name, 0, 0, crc.getValue(), data.length, data.length);
        out.writeBytes(data);
        return this;
    }

    public CraftedZip stored(String name, String data) {
        return stored(name.getBytes(StandardCharsets.UTF_8), data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A deflated entry of {@code gib} GiB of zeros, in about 1 KB per MiB: one MiB of zeros compressed after a full
     * flush encodes the same way every time, so its encoding is written {@code gib * 1024} times.
     */
    public CraftedZip zeros(String name, int gib) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] mib = new byte[1 << 20];
        byte[] first = flushed(deflater, mib);
        byte[] block = flushed(deflater, mib);
        if (!Arrays.equals(first, block)) {
            throw new IllegalStateException("a flushed block of zeros does not repeat; cannot craft the entry");
        }
        // Bit 3: sizes and CRC would follow the data, as streaming zip writers do; the server must stop long before.
        header(name.getBytes(StandardCharsets.UTF_8), 0x08, 8, 0, 0, 0);
        for (long i = 0; i < (long) gib * 1024; i++) {
            out.writeBytes(block);
        }
        deflater.finish();
        byte[] end = new byte[64];
        out.write(end, 0, deflater.deflate(end));
        deflater.end();
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private static byte[] flushed(Deflater deflater, byte[] input) {
        deflater.setInput(input);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
            b.write(buf, 0, n);
        } while (n == buf.length || !deflater.needsInput());
        return b.toByteArray();
    }

    private void header(byte[] name, int flags, int method, long crc, long compressed, long size) {
        ByteBuffer h = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x04034b50).putShort((short) 20).putShort((short) (flags | 0x800)).putShort((short) method)
                .putShort((short) 0).putShort((short) 0x21).putInt((int) crc).putInt((int) compressed)
                .putInt((int) size).putShort((short) name.length).putShort((short) 0);
        out.writeBytes(h.array());
        out.writeBytes(name);
    }
}
