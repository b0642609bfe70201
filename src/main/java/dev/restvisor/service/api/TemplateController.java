package dev.restvisor.service.api;

import dev.restvisor.service.runtime.VmTemplates;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Ready-made VM definitions, to post to {@code /vms} as they are. */
@RestController
@Tag(name = "templates", description = "Ready-made VM definitions (extension).")
public class TemplateController {
    private final VmTemplates templates;

    public TemplateController(VmTemplates templates) {
        this.templates = templates;
    }

    /** A template. */
    @Schema(description = "A ready-made VM definition.")
    public record TemplateView(@Schema(description = "Template id.") String id,
                               @Schema(description = "What the VM is and does.") String description,
                               @Schema(description = "The definition; POST it to /vms to create the VM.") VmDefinition definition) {
    }

    @GetMapping("/templates")
    @Operation(operationId = "listTemplates", summary = "Ready-made VM definitions, the demo guest among them")
    @ApiResponse(responseCode = "200", description = "The templates.")
    public List<TemplateView> list() {
        return templates.list().stream().map(t -> new TemplateView(t.id(), t.description(), VmDefinition.from(t.spec()))).toList();
    }

    @GetMapping("/templates/{id}")
    @Operation(operationId = "getTemplate", summary = "One template")
    @ApiResponse(responseCode = "200", description = "The template.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "Template id, e.g. demo.")
    public TemplateView get(@PathVariable String id) {
        var t = templates.get(id);
        return new TemplateView(t.id(), t.description(), VmDefinition.from(t.spec()));
    }
}
