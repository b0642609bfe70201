package dev.restvisor.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document: u64 as a hex-string schema, the Problem schema, and the error responses
 * every operation can give, each with a description.
 */
@Configuration
public class OpenApiConfig {
    private static final String PROBLEM = "Problem";

    static {
        SpringDocUtils.getConfig().replaceWithSchema(U64.class, new StringSchema()
                .pattern(U64.PATTERN)
                .example("0x1000")
                .description("A u64: written as a hex string (\"0x1f\"); read from a hex string, a decimal string or a non-negative JSON integer."));
    }

    /** Describes the DTOs with the snake_case names the service's JSON mapper writes (kvm.h names). */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        ObjectMapper mapper = Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        return new ModelResolver(mapper).openapi31(true);
    }

    @Bean
    OpenAPI restvisorOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Restvisor").version("1")
                        .description("The Linux KVM userspace API (kvm.h, API version 3) as a REST service. Resources follow the ioctls; "
                                + "JSON members carry kvm.h names. Every u64 is a hex string. Every error is an RFC 9457 problem."));
    }

    @Bean
    OpenApiCustomizer problemResponses() {
        return api -> {
            if (api.getComponents() == null) {
                api.setComponents(new Components());
            }
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> addErrors(path, method.name(), op)));
        };
    }

    private static void addErrors(String path, String method, Operation op) {
        ApiResponses responses = op.getResponses();
        Map<String, String> errors = new LinkedHashMap<>();
        boolean hasBody = op.getRequestBody() != null;
        boolean hasParams = op.getParameters() != null && !op.getParameters().isEmpty();
        if (hasBody || hasParams) {
            errors.put("400", "Invalid argument (EINVAL) or malformed request: bad JSON, a bad hex number, a value out of range or a missing member. `field` names the offending member.");
        }
        if (path.contains("{")) {
            errors.put("404", "The VM, vcpu, slot or snapshot named in the path does not exist (ENOENT).");
        }
        if (path.contains("/vcpus/") || path.contains("memory-regions") || path.equals("/vms")) {
            errors.put("409", "Conflict: the vcpu is running or busy (EBUSY), or the resource already exists or overlaps another (EEXIST).");
        }
        if (hasBody) {
            errors.put("415", "The Content-Type is not the one this operation consumes.");
        }
        if (path.contains("memory") || path.equals("/vms")) {
            errors.put("422", "A per-VM or service-wide limit would be exceeded (guest RAM, number of VMs).");
        }
        errors.put("405", "The method is not allowed on this resource.");
        errors.put("500", "An unexpected failure of the service; it was logged. Never caused by the request's content.");
        errors.forEach((code, description) -> {
            if (!responses.containsKey(code)) {
                responses.addApiResponse(code, new ApiResponse().description(description).content(new Content()
                        .addMediaType("application/problem+json", new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
            }
        });
    }

    private static Schema<?> problemSchema() {
        return new ObjectSchema()
                .description("An RFC 9457 problem detail.")
                .addProperty("type", new StringSchema().format("uri").description("Stable problem type URI under " + ProblemType.BASE + "."))
                .addProperty("title", new StringSchema().description("Short summary of the problem type."))
                .addProperty("status", new IntegerSchema().description("The HTTP status code."))
                .addProperty("detail", new StringSchema().description("What went wrong with this request, in words."))
                .addProperty("instance", new StringSchema().format("uri-reference").description("The request path."))
                .addProperty("field", new StringSchema().description("The offending request member, query parameter or path part, when one is at fault."));
    }
}
