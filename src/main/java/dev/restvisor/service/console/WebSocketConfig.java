package dev.restvisor.service.console;

import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.VmRegistry;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/** Registers the console and events streams. */
@Configuration
@EnableWebSocket
public class WebSocketConfig implements WebSocketConfigurer {
    /** The largest frame either stream takes. */
    static final int MAX_FRAME = 2 << 20;
    /** The streams' protocol, added to the OpenAPI document's description, which has no operations for WebSockets. */
    static final String STREAMS = "WebSocket streams (a wrong VM or port is refused before the upgrade with a problem response):\n\n"
            + "- `/vms/{id}/console?port=com1` (a COM port of the definition, or e9): the port's output as binary frames, its "
            + "scrollback first. Every non-empty binary frame, and every non-empty text frame as its UTF-8 bytes, is serial input "
            + "for the port. A frame that cannot be input, an empty frame or any frame to the output-only e9 console, is ignored "
            + "and counted in `counters.consoles[].bad_frames` of its port and in `counters.bad_frames`; the session goes on. "
            + "Input beyond the port's queue (" + SerialHub.INPUT_LIMIT + " bytes) is refused whole, with a text frame saying so. "
            + "A text frame that is not UTF-8, or a frame over " + MAX_FRAME + " bytes, is a protocol error that closes the session "
            + "(1007, 1009). A viewer that reads slower than the guest writes loses its own excess output "
            + "(`counters.consoles[].viewers[].bytes_dropped`) and stays connected however long it stops reading.\n"
            + "- `/vms/{id}/events?after=<seq>`: one JSON text frame per event, those after `seq` first. Frames from the client are "
            + "ignored and counted in `counters.bad_frames`. A client that falls " + EventsSocket.QUEUE_LIMIT + " events behind is "
            + "closed with " + EventsSocket.TOO_SLOW + " and a reason naming the sequence number to resume after.\n\n"
            + "Both streams of a VM are closed with " + StreamClose.VM_DELETED + " and the reason \"VM <id> was deleted\" when the "
            + "VM is deleted.";
    private final VmRegistry registry;
    private final JsonMapper json;

    public WebSocketConfig(VmRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /**
     * Frames up to 2 MiB: a paste as large as the serial input queue arrives whole and is queued or
     * refused with a reason, instead of the container closing the session (1009) at its 8 KiB default.
     */
    @Bean
    public ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(MAX_FRAME);
        container.setMaxTextMessageBufferSize(MAX_FRAME);
        return container;
    }

    @Bean
    OpenApiCustomizer streamsDescription() {
        return api -> {
            String description = api.getInfo().getDescription();
            if (!description.contains(STREAMS)) {
                api.getInfo().setDescription(description + "\n\n" + STREAMS);
            }
        };
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry handlers) {
        handlers.addHandler(new ConsoleSocket(registry), "/vms/{id}/console")
                .addInterceptors(new Handshake(registry, true)).setAllowedOriginPatterns("*");
        handlers.addHandler(new EventsSocket(registry, json), "/vms/{id}/events")
                .addInterceptors(new Handshake(registry, false)).setAllowedOriginPatterns("*");
    }
}
