package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.attribute.PosixFilePermission.GROUP_READ;
import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_READ;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Where each request's API token comes from: CLARI_API_TOKEN (fixed for the life of the process) or
 * CLARI_API_TOKEN_FILE, so a secrets manager or an IT agent can rotate the token without a restart.
 * The file is re-read when its modification time or size changes, and after a 401 (a rotation within
 * the file system's time granularity is then still caught). Links are followed, as secret mounts swap
 * them. Thread-safe. No message ever holds the token.
 */
final class TokenSource {
    /** A token is well under a kilobyte; a bigger file is not a token file. */
    static final int MAX_FILE_BYTES = 8 * 1024;
    static final String FILE_VARIABLE = "CLARI_API_TOKEN_FILE";

    private final Secret fixed;
    private final Path file;
    private Secret current; // guarded by this
    private FileTime modified; // guarded by this
    private long size = -1; // guarded by this

    TokenSource(ClariConfig config) {
        this.fixed = config.token();
        this.file = config.tokenFile();
    }

    /** The variable that holds the token, for messages. */
    String variable() {
        return file == null ? "CLARI_API_TOKEN" : FILE_VARIABLE;
    }

    /** The token to send now; from the file, re-read if it changed since the last read. */
    synchronized Secret current() throws ClariException {
        if (file == null) return fixed;
        BasicFileAttributes a = attributes();
        if (current == null || !a.lastModifiedTime().equals(modified) || a.size() != size) load(a);
        return current;
    }

    /** After Clari rejected used: re-reads the file; true when it now holds another token (worth one retry). */
    synchronized boolean refreshAfterRejection(Secret used) throws ClariException {
        if (file == null) return false;
        load(attributes());
        return !current.reveal().equals(used.reveal());
    }

    /** A warning when the token file may be read by group or others (POSIX file systems), else null. */
    String permissionWarning() {
        PosixFileAttributes a = posix();
        boolean loose = a != null && (a.permissions().contains(GROUP_READ) || a.permissions().contains(OTHERS_READ));
        return loose ? FILE_VARIABLE + " is readable by other users: restrict it (chmod 600)" : null;
    }

    /**
     * A problem when someone else could put a token of their choosing in the file (so our requests would run
     * as their Clari user): it is writable by group or others, or owned by another user. Null when neither,
     * or when it cannot be told (non-POSIX file systems, a user without a name). user.name comes from the
     * passwd entry, not $USER.
     */
    String ownershipProblem() {
        PosixFileAttributes a = posix();
        if (a == null) return null;
        if (a.permissions().contains(GROUP_WRITE) || a.permissions().contains(OTHERS_WRITE)) {
            return FILE_VARIABLE + " is writable by other users: restrict it (chmod 600)";
        }
        String me = System.getProperty("user.name", "?");
        boolean other = !me.equals("?") && !a.owner().getName().equals(me);
        return other ? FILE_VARIABLE + " is owned by another user: make it yours (chown)" : null;
    }

    /**
     * The token file's POSIX attributes; null without a file, when unreadable (reported when the token is
     * needed) or on a non-POSIX file system (which uses ACLs).
     */
    private PosixFileAttributes posix() {
        if (file == null) return null;
        try {
            return Files.readAttributes(file, PosixFileAttributes.class);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The file's attributes, links followed (secret mounts swap them); a FIFO or device is refused before any open. */
    private BasicFileAttributes attributes() throws ClariException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw unreadable(e);
        }
        String kind = ClariConfig.notRegularFile(a);
        if (kind != null) {
            throw new ClariException(0, FILE_VARIABLE + " names " + kind + ": it must be a regular file holding the token");
        }
        return a;
    }

    private void load(BasicFileAttributes a) throws ClariException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ClariException(0, FILE_VARIABLE + " names a file over " + MAX_FILE_BYTES / 1024 + " KB: it should hold only the token");
        }
        String value = new String(bytes, UTF_8).strip();
        if (value.isEmpty()) throw new ClariException(0, FILE_VARIABLE + " names an empty file: write the Clari API token into it");
        if (!ClariConfig.TOKEN.matcher(value).matches()) {
            throw new ClariException(0, FILE_VARIABLE + " holds spaces, control or non-ASCII characters: expected the token "
                    + "exactly as Clari shows it, alone in the file");
        }
        current = new Secret(value);
        modified = a.lastModifiedTime();
        size = a.size();
    }

    private static ClariException unreadable(IOException e) {
        return new ClariException(0, "cannot read " + FILE_VARIABLE + " (" + e.getClass().getSimpleName()
                + "): check the path and that this user may read the file");
    }
}
