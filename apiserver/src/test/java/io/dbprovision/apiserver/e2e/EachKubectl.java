package io.dbprovision.apiserver.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A test that runs once per kubectl version of {@link KubectlVersions}, given the version ("1.27") as argument. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "kubectl {0}")
@MethodSource("io.dbprovision.apiserver.e2e.KubectlVersions#versions")
@interface EachKubectl {}
