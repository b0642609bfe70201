package dev.restvisor.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal HTTP/1.1 client on one kept-alive loopback connection: the cheapest way to send
 * requests back to back, so a benchmark measures the service and not the client library.
 * Requests are prebuilt bytes; the response is parsed in place in one reused buffer (no
 * allocation per request), with Content-Length or chunked bodies.
 */
final class KeepAliveClient implements AutoCloseable {
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;
    /** Bytes read from the socket: [0, limit); the parser is at pos. */
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    /** The body of the last response, decoded in place: buf[bodyStart, bodyEnd). */
    private int bodyStart;
    private int bodyEnd;

    KeepAliveClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        host = "localhost:" + port;
    }

    /** Prebuilds the bytes of a request so the loop only writes them. */
    byte[] request(String method, String path, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nAccept: application/json\r\n");
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            return h;
        }
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Sends a prebuilt request and reads the whole response; returns the status code. */
    int send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        // The previous response is consumed: keep only bytes beyond it (none with one request in
        // flight), so offsets into the buffer start at 0 for each response.
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int status = parseStatus(line());
        int length = 0;
        boolean chunked = false;
        for (int start = line(); pos - 2 > start; start = line()) {
            int end = pos - 2;
            if (startsWithIgnoreCase(start, end, CONTENT_LENGTH)) {
                length = (int) decimal(start + CONTENT_LENGTH.length, end);
            } else if (startsWithIgnoreCase(start, end, TRANSFER_ENCODING)) {
                chunked = true;
            }
        }
        if (!chunked) {
            fill(length);
            bodyStart = pos;
            bodyEnd = pos + length;
            pos = bodyEnd;
            return status;
        }
        // De-chunk in place: the chunk payloads are moved down to follow each other.
        bodyStart = pos;
        int write = pos;
        while (true) {
            int sizeLine = line();
            int size = hexadecimal(sizeLine, pos - 2);
            if (size == 0) {
                line();
                break;
            }
            fill(size + 2);
            System.arraycopy(buf, pos, buf, write, size);
            write += size;
            pos += size + 2;
        }
        bodyEnd = write;
        return status;
    }

    /** True when the last response's body contains the ASCII token. */
    boolean bodyContains(byte[] token) {
        outer:
        for (int i = bodyStart; i <= bodyEnd - token.length; i++) {
            for (int k = 0; k < token.length; k++) {
                if (buf[i + k] != token[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The last response's body as text (for error messages; allocates). */
    String body() {
        return new String(buf, bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8);
    }

    /** Advances past the next CRLF-terminated line and returns where it started. */
    private int line() throws IOException {
        int start = pos;
        int scan = pos;
        while (true) {
            for (; scan + 1 < limit; scan++) {
                if (buf[scan] == '\r' && buf[scan + 1] == '\n') {
                    pos = scan + 2;
                    return start;
                }
            }
            readMore();
        }
    }

    /** Makes sure n bytes from pos are in the buffer. */
    private void fill(int n) throws IOException {
        while (limit - pos < n) {
            readMore();
        }
    }

    /**
     * Reads more bytes. A response's head and body stay together so offsets stay valid: the
     * buffer only moves at the start of a response and grows when a response outgrows it.
     */
    private void readMore() throws IOException {
        if (limit == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            throw new IOException("connection closed by the service");
        }
        limit += n;
    }

    private int parseStatus(int start) {
        // "HTTP/1.1 200 OK"
        return (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
    }

    private boolean startsWithIgnoreCase(int start, int end, byte[] lowerPrefix) {
        if (end - start < lowerPrefix.length) {
            return false;
        }
        for (int k = 0; k < lowerPrefix.length; k++) {
            int c = buf[start + k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerPrefix[k]) {
                return false;
            }
        }
        return true;
    }

    private long decimal(int from, int end) {
        long v = 0;
        for (int i = from; i < end; i++) {
            int c = buf[i];
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
            }
        }
        return v;
    }

    private int hexadecimal(int from, int end) {
        int v = 0;
        for (int i = from; i < end; i++) {
            int d = Character.digit(buf[i], 16);
            if (d < 0) {
                break;
            }
            v = v * 16 + d;
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
