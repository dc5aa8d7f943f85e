package clarimcp.jsonrpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads newline-delimited messages (MCP stdio transport) as raw bytes, with a hard cap on line
 * length so a hostile or broken client cannot make the server buffer without bound. A trailing
 * '\r' is dropped (Windows clients); blank lines are skipped by the caller.
 */
public final class LineReader {
    /** Far above any real MCP request (tool arguments are a few KB) yet small enough to never threaten memory. */
    public static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    /** One line: its bytes, or tooLong when the line was longer than the cap (its bytes were discarded). */
    public record Line(byte[] bytes, boolean tooLong) {}

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int end;

    public LineReader(InputStream in) {
        this(in, MAX_LINE_BYTES);
    }

    public LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at end of input. A last line without '\n' still counts. */
    public Line next() throws IOException {
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
        return new Line(len == b.length ? b : java.util.Arrays.copyOf(b, len), false);
    }
}
