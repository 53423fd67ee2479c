package dev.llmproxy.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Teams ({@code LiteLLM_TeamTable}) and their members ({@code LiteLLM_TeamMembership}). Thread-safe; every method
 * blocks on the database and throws {@link StoreException} when it fails. {@link #update} never writes spend.
 */
public interface TeamStore {

    /**
     * Stores a new team, stamped with the store's clock as created and updated now.
     *
     * @return the stored team
     * @throws StoreConflictException if a team with the same id exists
     */
    Team create(Team team);

    /** The team with this id. */
    Optional<Team> find(String teamId);

    /**
     * Replaces every column of the team with this id except its spend and {@code created_at};
     * {@code updated_at} is the store's clock.
     *
     * @return the stored team, or empty if there is none with this id
     */
    Optional<Team> update(Team team);

    /**
     * Blocks or unblocks a team.
     *
     * @return the stored team, or empty if there is none with this id
     */
    Optional<Team> setBlocked(String teamId, boolean blocked);

    /**
     * Deletes teams and their memberships; their keys stay (deleting them is the caller's decision).
     *
     * @return the ids of the teams that existed and are now deleted
     */
    List<String> delete(Collection<String> teamIds);

    /** One page of teams, newest first; the query's filter is an organization id. */
    Page<Team> list(ListQuery query);

    /**
     * The teams changed ({@code updated_at}) at or after {@code since}, oldest change first. A change of a team's
     * memberships moves the team's {@code updated_at} too.
     */
    List<Team> changedSince(Instant since);

    /**
     * Adds a member, stamped with the store's clock as joined now.
     *
     * @return the stored membership
     * @throws StoreConflictException if the user is already a member
     * @throws StoreException if the team or the user does not exist
     */
    TeamMembership addMember(TeamMembership membership);

    /** Changes a member's role and budget; returns the stored membership, or empty if there is none. */
    Optional<TeamMembership> updateMember(TeamMembership membership);

    /** Removes a member; returns whether the user was a member. */
    boolean removeMember(String teamId, String userId);

    /** The membership of this user in this team. */
    Optional<TeamMembership> findMember(String teamId, String userId);

    /** The members of a team, by user id. */
    List<TeamMembership> members(String teamId);

    /** The teams a user belongs to, by team id. */
    List<TeamMembership> membershipsOf(String userId);
}
