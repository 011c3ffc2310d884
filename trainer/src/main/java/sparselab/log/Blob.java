package sparselab.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content-addressed bytes: the hash is the SHA-256 of the bytes, hex. */
public record Blob(String hash, byte[] bytes) {
    public static Blob of(byte[] bytes) {
        try {
            return new Blob(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
