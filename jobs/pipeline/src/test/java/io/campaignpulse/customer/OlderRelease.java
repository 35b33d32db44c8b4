package io.campaignpulse.customer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.avro.Schema;
import org.apache.avro.compiler.specific.SpecificCompiler;
import org.apache.avro.generic.GenericData;

/**
 * An older release of the job's state classes, built in a test: the Java classes Avro generates
 * from an older schema of a state type (same names as today's), and a savepoint bootstrap function
 * compiled against them, in one jar. A job given that jar ({@code pipeline.jars}) loads them child
 * first, ahead of today's classes, so the state it writes is what that release wrote: its bytes,
 * and its serializer snapshot naming the older schema.
 */
final class OlderRelease {

    private OlderRelease() {}

    /**
     * @param schema the older schema of the state type
     * @param sources extra Java sources (path inside the jar without .java -> text), compiled against the older classes
     * @return the jar
     */
    static Path build(Path dir, Schema schema, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        SpecificCompiler generator = new SpecificCompiler(schema);
        generator.setStringType(GenericData.StringType.String);
        generator.setFieldVisibility(SpecificCompiler.FieldVisibility.PRIVATE);
        generator.compileToDestination(null, src.toFile());
        for (var source : sources.entrySet()) {
            Path file = src.resolve(source.getKey() + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
        }
        List<String> args = new ArrayList<>(List.of(
                "-d", classes.toString(), "-classpath", classpath(), "-proc:none", "-nowarn", "-encoding", "UTF-8"));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, System.err, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the older release's classes do not compile (see the test's output)");
        }
        Path jar = dir.resolve("older-release.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream entries = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                entries.putNextEntry(
                        new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                entries.write(Files.readAllBytes(f));
                entries.closeEntry();
            }
        }
        return jar;
    }

    /** The test's class path (javac follows the Class-Path of surefire's manifest-only jar). */
    private static String classpath() {
        return System.getProperty("java.class.path");
    }
}
