package io.gradquant.harness;

/**
 * One data-parallel rank's checksum of its final parameters ({@link ParameterChecksum}): equal on
 * every rank when the workers kept identical models, as they must.
 *
 * @param rank             the MPI rank
 * @param parametersSha256 SHA-256 of its parameters in model order, 64 hex digits
 */
public record RankChecksum(int rank, String parametersSha256) {
}
