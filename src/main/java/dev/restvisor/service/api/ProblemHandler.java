package dev.restvisor.service.api;

import dev.restvisor.core.memory.MemoryRegionException;
import dev.restvisor.core.vm.VmError;
import dev.restvisor.service.runtime.CatalogError;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * Turns every failure into an RFC 9457 problem response with a stable {@code type}, a readable
 * {@code detail} and, where one is at fault, the offending {@code field}. Never a stack trace or
 * a class name; an unexpected failure is logged here and answered with a plain 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

    /** Builds the problem response of a type. */
    static ResponseEntity<Object> problem(ProblemType type, String detail, String field) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(type.status(), detail);
        body.setType(type.uri());
        body.setTitle(type.title());
        if (field != null) {
            body.setProperty("field", field);
        }
        return ResponseEntity.status(type.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e) {
        return problem(e.type(), e.getMessage(), e.field());
    }

    @ExceptionHandler(VmError.class)
    ResponseEntity<Object> vm(VmError e) {
        ProblemType type = switch (e.errno()) {
            case EINVAL -> ProblemType.INVALID_ARGUMENT;
            case ENOENT -> ProblemType.NOT_FOUND;
            case EEXIST -> ProblemType.ALREADY_EXISTS;
            case EBUSY -> ProblemType.BUSY;
            case E2BIG -> ProblemType.TOO_BIG;
            case ENOMEM -> ProblemType.QUOTA_EXCEEDED;
        };
        return problem(type, e.getMessage(), e.field());
    }

    @ExceptionHandler(MemoryRegionException.class)
    ResponseEntity<Object> memory(MemoryRegionException e) {
        ProblemType type = switch (e.kind()) {
            case INVALID -> ProblemType.INVALID_ARGUMENT;
            case OVERLAP -> ProblemType.ALREADY_EXISTS;
            case NOT_FOUND -> ProblemType.NOT_FOUND;
            case QUOTA -> ProblemType.QUOTA_EXCEEDED;
        };
        return problem(type, e.getMessage(), e.field());
    }

    @ExceptionHandler(CatalogError.class)
    ResponseEntity<Object> catalog(CatalogError e) {
        ProblemType type = switch (e.kind()) {
            case INVALID -> ProblemType.INVALID_ARGUMENT;
            case NOT_FOUND -> ProblemType.NOT_FOUND;
            case IN_USE -> ProblemType.IN_USE;
            case CONFLICT -> ProblemType.CONFLICT;
            case CORRUPT -> ProblemType.SNAPSHOT_CORRUPT;
            case UNSUPPORTED_FORMAT -> ProblemType.SNAPSHOT_FORMAT_UNSUPPORTED;
            case QUOTA -> ProblemType.QUOTA_EXCEEDED;
            case TOO_LARGE -> ProblemType.PAYLOAD_TOO_LARGE;
            case STORAGE -> ProblemType.INSUFFICIENT_STORAGE;
        };
        if (type == ProblemType.INSUFFICIENT_STORAGE) {
            LOG.error("catalog write failed", e);
        }
        return problem(type, e.getMessage(), e.field());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> mismatch(MethodArgumentTypeMismatchException e) {
        Throwable cause = e.getMostSpecificCause();
        String why = cause instanceof IllegalArgumentException && cause.getMessage() != null ? cause.getMessage()
                : "\"" + e.getValue() + "\" is not a valid value";
        return problem(ProblemType.INVALID_ARGUMENT, e.getName() + ": " + why, e.getName());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        LOG.error("unexpected failure", e);
        return problem(ProblemType.INTERNAL, "The service failed unexpectedly; the failure was logged.", null);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        Throwable cause = ex.getMostSpecificCause();
        DatabindException bind = find(ex, DatabindException.class);
        JacksonException parse = find(ex, JacksonException.class);
        if (bind != null && !bind.getPath().isEmpty()) {
            String field = bind.getPath().stream()
                    .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String why = cause instanceof IllegalArgumentException && cause.getMessage() != null ? cause.getMessage()
                    : bind.getOriginalMessage();
            return problem(ProblemType.INVALID_ARGUMENT, field + ": " + readable(why), field);
        }
        String detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
                ? "The request body is missing."
                : "The request body is not valid JSON: " + readable(parse != null ? parse.getOriginalMessage() : "unreadable");
        return problem(ProblemType.MALFORMED_REQUEST, detail, null);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(ProblemType.INVALID_ARGUMENT, "the query parameter '" + ex.getParameterName() + "' is required",
                ex.getParameterName());
    }

    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> r = problem(ProblemType.METHOD_NOT_ALLOWED,
                ex.getMethod() + " is not allowed here; allowed: " + String.join(", ",
                        ex.getSupportedMethods() == null ? new String[0] : ex.getSupportedMethods()), null);
        return ResponseEntity.status(r.getStatusCode()).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(r.getBody());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + ex.getContentType()
                + " is not supported here; use " + ex.getSupportedMediaTypes(), null);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        return problem(ProblemType.NOT_FOUND, "There is no resource at /" + ex.getResourcePath(), null);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(ProblemType.INVALID_ARGUMENT, ex.getMessage(), null);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail pd) {
            ProblemType type = switch (statusCode.value()) {
                case 404 -> ProblemType.NOT_FOUND;
                case 405 -> ProblemType.METHOD_NOT_ALLOWED;
                case 406 -> ProblemType.NOT_ACCEPTABLE;
                case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
                case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
                default -> statusCode.is4xxClientError() ? ProblemType.MALFORMED_REQUEST : ProblemType.INTERNAL;
            };
            pd.setType(type.uri());
            pd.setTitle(type.title());
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        while (t != null) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            t = t.getCause();
        }
        return null;
    }

    /** The first line of a parser message, with Java type names replaced by JSON words. */
    static String readable(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        Matcher m = JAVA_TYPE.matcher(line);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String simple = m.group(1).substring(m.group(1).lastIndexOf('.') + 1);
            String word = switch (simple) {
                case "Integer", "Long", "Short", "Byte", "int", "long" -> "integer";
                case "U64" -> "u64";
                case "String" -> "string";
                case "Boolean", "boolean" -> "boolean";
                case "List", "ArrayList" -> "array";
                default -> "object";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(word));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern JAVA_TYPE = Pattern.compile("`([\\w.$]+)(\\[\\])?`");
}
