package sparselab.server;

import java.util.Map;

/**
 * The body of every refused API request.
 *
 * @param status HTTP status
 * @param error  what was wrong, naming the field at fault
 * @param fields field name to message, for forms (empty when no single field is at fault)
 */
public record ApiError(int status, String error, Map<String, String> fields) {}
