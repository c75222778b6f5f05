DROP TABLE moderation_claims;
