package sparselab.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import sparselab.log.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The answers Jetty gives before any route runs (a request line or header over its limits, a malformed URI or Host:
 * 400, 414, 431): the same JSON refusal as every other ({@link ApiError}) with {@link Safety#HEADERS}, instead of
 * Jetty's HTML page without them.
 */
final class JettyRefusals extends ErrorHandler {
    JettyRefusals() {
        setShowStacks(false);
        setShowServlet(false);
        setShowMessageInTitle(false);
    }

    private static byte[] body(int status, String reason) {
        if (status == 505) {                      // the client's HTTP version, not a failure of the server
            return Json.write(ApiError.of(status, null, "request: HTTP version not supported; send HTTP/1.1")).getBytes(StandardCharsets.UTF_8);
        }
        if (status >= 500) {                      // never the text of an exception
            return Json.write(ApiError.of(status, null, "the web server failed to answer; see its log")).getBytes(StandardCharsets.UTF_8);
        }
        String why = reason == null || reason.isBlank() ? "the request was refused by the web server" : reason;
        return Json.write(ApiError.of(status, null, "request: " + why)).getBytes(StandardCharsets.UTF_8);
    }

    /** Refusals of a request that could not even be parsed (no servlet, no context). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        for (Map.Entry<String, String> h : Safety.HEADERS.entrySet()) fields.put(h.getKey(), h.getValue());
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Errors Jetty sends for a parsed request (an ambiguous URI, say) before Javalin's handlers run. */
    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
                                              int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        for (Map.Entry<String, String> h : Safety.HEADERS.entrySet()) response.setHeader(h.getKey(), h.getValue());
        byte[] b = body(code, message);
        response.setContentLength(b.length);
        response.getOutputStream().write(b);
    }
}
