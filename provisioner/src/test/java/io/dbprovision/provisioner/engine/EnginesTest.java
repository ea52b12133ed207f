package io.dbprovision.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.v1alpha1.EngineType;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnginesTest {
    private static Engine serving(EngineType... types) {
        return (Engine) Proxy.newProxyInstance(
                Engine.class.getClassLoader(),
                new Class<?>[] {Engine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "types" -> Set.of(types);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void eachTypeFindsTheEngineThatServesIt() {
        Engine postgres = serving(EngineType.ENGINE_TYPE_POSTGRES);
        Engine mysql = serving(EngineType.ENGINE_TYPE_MYSQL, EngineType.ENGINE_TYPE_MARIADB);
        Engines engines = new Engines(List.of(postgres, mysql));
        assertThat(engines.engine(EngineType.ENGINE_TYPE_POSTGRES)).isSameAs(postgres);
        assertThat(engines.engine(EngineType.ENGINE_TYPE_MARIADB)).isSameAs(mysql);
        assertThat(engines.supports(EngineType.ENGINE_TYPE_COCKROACHDB)).isFalse();
        assertThatThrownBy(() -> engines.engine(EngineType.ENGINE_TYPE_COCKROACHDB))
                .isInstanceOf(EngineException.Unsupported.class)
                .hasMessage("engine cockroachdb is not supported");
    }

    @Test
    void twoEnginesForOneTypeAreAMistake() {
        assertThatThrownBy(() -> new Engines(
                        List.of(serving(EngineType.ENGINE_TYPE_MYSQL), serving(EngineType.ENGINE_TYPE_MYSQL))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
