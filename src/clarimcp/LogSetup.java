package clarimcp;

import clarimcp.clari.ClariConfig;
import clarimcp.mcp.CallLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;

/**
 * Where the call log goes, from CLARI_LOG_FILE (appended; created readable by the owner only) and
 * CLARI_LOG_LEVEL (debug adds one line per HTTP exchange; info, the default, one per tool call;
 * warning and above leave only problems). A bad setting is reported on stderr and the log falls back
 * to stderr at info: logging must never stop the server.
 */
final class LogSetup {
    static final CallLog.Level DEFAULT_LEVEL = CallLog.Level.INFO;

    /** An existing CLARI_LOG_FILE we will not append to; the message says why and what to do. */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String why) {
            super(why);
        }
    }

    private LogSetup() {}

    /** The level CLARI_LOG_LEVEL names, or the default (with a warning on err) when it names none. */
    static CallLog.Level level(Map<String, String> env, PrintStream err) {
        String v = env.get("CLARI_LOG_LEVEL");
        if (v == null || v.isBlank()) return DEFAULT_LEVEL;
        CallLog.Level level = CallLog.Level.parse(v.strip().toLowerCase(Locale.ROOT)).orElse(null);
        if (level == null) {
            err.println(Help.NAME + ": CLARI_LOG_LEVEL must be one of debug, info, notice, warning, error; using info");
            return DEFAULT_LEVEL;
        }
        return level;
    }

    /** The call log: JSON lines on CLARI_LOG_FILE when set and writable, else on err. */
    static CallLog open(Map<String, String> env, CallLog.Level level, PrintStream err) {
        String file = env.get("CLARI_LOG_FILE");
        if (file == null || file.isBlank()) return new CallLog.JsonLines(err, level);
        try {
            return new CallLog.JsonLines(new PrintStream(append(Path.of(file.strip())), true, StandardCharsets.UTF_8), level);
        } catch (Refused e) {
            err.println(Help.NAME + ": CLARI_LOG_FILE refused: " + e.getMessage() + "; logging to stderr instead");
            return new CallLog.JsonLines(err, level);
        } catch (IOException | InvalidPathException | UnsupportedOperationException e) {
            err.println(Help.NAME + ": cannot write CLARI_LOG_FILE (" + e.getClass().getSimpleName()
                    + "): check the path and its directory's permissions; logging to stderr instead");
            return new CallLog.JsonLines(err, level);
        }
    }

    /**
     * Opens file for appending, creating it rw------- first if absent; never follows a symbolic link. An existing
     * file must be a regular file (a FIFO would block the open, and so start-up, until a reader comes) owned by
     * the user running us (appending to someone else's file would mix our log into theirs, or let them read ours).
     * For the race between this check and the open, see ClariConfig.notRegularFile.
     */
    private static OutputStream append(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException exists) {
            String kind = ClariConfig.notRegularFile(file, LinkOption.NOFOLLOW_LINKS);
            if (kind != null) throw new Refused("it names " + kind + "; it must be a regular file");
            String me = System.getProperty("user.name", "?");
            try {
                String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
                if (!me.equals("?") && !owner.equals(me)) throw new Refused("it is owned by another user; use a file of yours");
            } catch (UnsupportedOperationException notPosix) {
                // ACLs apply
            }
        } catch (UnsupportedOperationException notPosix) {
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close(); // e.g. Windows: ACLs apply
        }
        return Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
}
