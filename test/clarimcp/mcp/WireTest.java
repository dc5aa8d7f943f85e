package clarimcp.mcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WireTest {
    static Wire.Reader reader(String s, int max) {
        return new Wire.Reader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), max);
    }

    static String text(Wire.Line l) {
        return new String(l.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void lines_splitOnNewline_dropTrailingCr_keepLastUnterminatedLine() throws IOException {
        Wire.Reader r = reader("a\r\nb\n\nc", 100);
        assertEquals("a", text(r.next()));
        assertEquals("b", text(r.next()));
        assertEquals("", text(r.next()));
        assertEquals("c", text(r.next()));
        assertNull(r.next());
    }

    @Test
    void overlongLine_isReportedOnce_andTheNextLineIsIntact() throws IOException {
        Wire.Reader r = reader("x".repeat(50) + "\nok\n", 10);
        Wire.Line l = r.next();
        assertTrue(l.tooLong());
        assertEquals(0, l.bytes().length);
        Wire.Line ok = r.next();
        assertFalse(ok.tooLong());
        assertEquals("ok", text(ok));
        assertNull(r.next());
    }

    @Test
    void lineOfExactlyTheCap_isAccepted() throws IOException {
        Wire.Reader r = reader("y".repeat(10) + "\n", 10);
        assertEquals("y".repeat(10), text(r.next()));
    }

    @Test
    void lineSpanningManyReads_isReassembled() throws IOException {
        byte[] data = ("z".repeat(200_000) + "\nq\n").getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int i;

            @Override
            public int read() {
                return i < data.length ? data[i++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= data.length) return -1;
                int n = Math.min(len, 7); // short reads, like a pipe
                n = Math.min(n, data.length - i);
                System.arraycopy(data, i, b, off, n);
                i += n;
                return n;
            }
        };
        Wire.Reader r = new Wire.Reader(trickle, 1 << 20);
        assertArrayEquals("z".repeat(200_000).getBytes(StandardCharsets.UTF_8), r.next().bytes());
        assertEquals("q", text(r.next()));
    }

    @Test
    void clip_quotesPrintableAsciiOnly_andCutsLongNames() {
        assertEquals("tools/list", Wire.clip("tools/list"));
        assertEquals("a?b?c", Wire.clip("a\nb\u202Ec"));
        assertEquals("x".repeat(Wire.MAX_QUOTED) + "...", Wire.clip("x".repeat(Wire.MAX_QUOTED + 1)));
        assertEquals("x".repeat(Wire.MAX_QUOTED), Wire.clip("x".repeat(Wire.MAX_QUOTED)));
    }
}
