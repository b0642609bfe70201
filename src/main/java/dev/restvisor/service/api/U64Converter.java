package dev.restvisor.service.api;

import org.springframework.core.convert.converter.Converter;
import org.springframework.stereotype.Component;

/** Reads u64 query parameters with the same rules as JSON members. */
@Component
public class U64Converter implements Converter<String, U64> {
    @Override
    public U64 convert(String source) {
        return U64.parse(source);
    }
}
