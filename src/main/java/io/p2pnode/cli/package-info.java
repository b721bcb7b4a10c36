/** The command line: subcommands that talk to a running node through its TCP bridge, and process logging. */
package io.p2pnode.cli;
