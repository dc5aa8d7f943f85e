package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The MCP stdio transport: newline-delimited messages read as bounded raw lines ({@link Reader}) and written
 * by one locked writer ({@link Writer}); and {@link #clip}, which makes client-supplied names safe to quote
 * back in an error.
 */
public final class Wire {
    /** Far above any real MCP request (tool arguments are a few KB) yet small enough to never threaten memory. */
    public static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    /** Long enough for any real method or tool name, short enough to keep errors one glance long. */
    static final int MAX_QUOTED = 64;

    private Wire() {}

    /** Untrusted text (a client's name, a CLI argument) as printable ASCII, at most {@link #MAX_QUOTED} chars. */
    public static String clip(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 3);
        for (int i = 0; i < s.length() && b.length() < MAX_QUOTED; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > MAX_QUOTED ? b.append("...").toString() : b.toString();
    }

    /** One line: its bytes, or tooLong when the line was longer than the cap (its bytes were discarded). */
    record Line(byte[] bytes, boolean tooLong) {}

    /**
     * Reads lines as raw bytes, with a hard cap on line length so a hostile or broken client cannot make the
     * server buffer without bound. A trailing '\r' is dropped (Windows clients); blank lines are skipped by
     * the caller.
     */
    static final class Reader {
        private final InputStream in;
        private final int maxLineBytes;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int end;

        Reader(InputStream in, int maxLineBytes) {
            this.in = in;
            this.maxLineBytes = maxLineBytes;
        }

        /** The next line, or null at end of input. A last line without '\n' still counts. */
        Line next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean tooLong = false;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    end = in.read(buf);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        return any ? finish(line, tooLong) : null;
                    }
                }
                any = true;
                int start = pos;
                while (pos < end && buf[pos] != '\n') pos++;
                int n = pos - start;
                if (!tooLong && line.size() + n > maxLineBytes) {
                    tooLong = true;
                    line = new ByteArrayOutputStream();
                }
                if (!tooLong) line.write(buf, start, n);
                if (pos < end) {
                    pos++; // consume '\n'
                    return finish(line, tooLong);
                }
            }
        }

        private static Line finish(ByteArrayOutputStream line, boolean tooLong) {
            if (tooLong) return new Line(new byte[0], true);
            byte[] b = line.toByteArray();
            int len = b.length;
            if (len > 0 && b[len - 1] == '\r') len--;
            return new Line(len == b.length ? b : Arrays.copyOf(b, len), false);
        }
    }

    /**
     * The only writer of the protocol stream. One lock serialises every message (responses, progress, log
     * notifications), each written as UTF-8 JSON plus an explicit '\n' (never println, which writes CRLF on
     * Windows) and flushed at once. JsonWriter never emits a raw newline, so framing is correct by construction.
     */
    public static final class Writer {
        private final OutputStream out;
        private final Object lock = new Object();
        private boolean broken;

        public Writer(OutputStream out) {
            this.out = out;
        }

        /** Writes one message; after the first I/O failure (client gone) further messages are dropped. */
        public void send(Json message) {
            byte[] bytes = JsonWriter.write(message).getBytes(StandardCharsets.UTF_8);
            synchronized (lock) {
                if (broken) return;
                try {
                    out.write(bytes);
                    out.write('\n');
                    out.flush();
                } catch (IOException e) {
                    broken = true;
                }
            }
        }
    }
}
