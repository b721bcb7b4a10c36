/**
 * Node configuration: strict JSON parsing into options objects with documented defaults.
 * Every error names the dotted key that is wrong ({@link io.p2pnode.config.ConfigException}).
 */
package io.p2pnode.config;
