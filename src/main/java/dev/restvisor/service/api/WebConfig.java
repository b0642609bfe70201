package dev.restvisor.service.api;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The message converters of the API: JSON (and problem+json), octet-stream and text. Converters
 * that the classpath brings in besides (JAXB XML through swagger-core, Jackson 2 YAML through
 * springdoc) would never write a response the contract describes, but Spring MVC asks each of them
 * about every return value: the JAXB one scans the DTO class for {@code @XmlRootElement} on every
 * request, a visible share of a KVM_RUN round trip.
 */
@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.configureMessageConvertersList(converters -> converters.removeIf(WebConfig::xmlOrYaml));
    }

    private static boolean xmlOrYaml(HttpMessageConverter<?> converter) {
        for (MediaType type : converter.getSupportedMediaTypes()) {
            String subtype = type.getSubtype();
            if (subtype.equals("xml") || subtype.endsWith("+xml") || subtype.equals("yaml") || subtype.endsWith("+yaml")) {
                return true;
            }
        }
        return false;
    }
}
