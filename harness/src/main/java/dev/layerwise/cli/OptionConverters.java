package dev.layerwise.cli;

import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.Tokens;
import dev.layerwise.importer.ImportFormat;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.numeric.DType;
import dev.layerwise.report.ReportFormat;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the typed options: each value is parsed by its type's own parser, whose
 * {@link IllegalArgumentException} becomes a {@link TypeConversionException}; {@link LayerwiseCli} prints that as
 * the one line "--option: cause" with exit status 2.
 */
final class OptionConverters {
    private OptionConverters() {
    }

    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static final class Engine implements ITypeConverter<EngineKind> {
        @Override
        public EngineKind convert(String value) {
            return OptionConverters.convert(value, EngineKind::parse);
        }
    }

    static final class Dtype implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return OptionConverters.convert(value, DType::parse);
        }
    }

    static final class Report implements ITypeConverter<ReportFormat> {
        @Override
        public ReportFormat convert(String value) {
            return OptionConverters.convert(value, ReportFormat::parse);
        }
    }

    static final class SynthPreset implements ITypeConverter<Preset> {
        @Override
        public Preset convert(String value) {
            return OptionConverters.convert(value, Preset::parse);
        }
    }

    static final class Import implements ITypeConverter<ImportFormat> {
        @Override
        public ImportFormat convert(String value) {
            return OptionConverters.convert(value, ImportFormat::parse);
        }
    }

    static final class TokenIds implements ITypeConverter<TokenOptions.Ids> {
        @Override
        public TokenOptions.Ids convert(String value) {
            return new TokenOptions.Ids(OptionConverters.convert(value, Tokens::parse));
        }
    }
}
