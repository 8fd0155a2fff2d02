-- Log index, version 2: logs.log_hash is gone. It was written for every log and read by nothing
-- (a check compares the checksum, which already commits to the log hash): 33 of the ~93 bytes a log
-- took on disk (bench:scale: 93 → ~60 B per log in the logs table). DROP COLUMN rewrites the table
-- once; the pages it frees are reused by later logs (the file does not shrink without VACUUM).
ALTER TABLE logs DROP COLUMN log_hash;
