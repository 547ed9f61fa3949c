-- Runs once when the compose PostgreSQL volume is created: the login roles with passwords. The migrations
-- then find them and only adjust their attributes (they are created without passwords where missing).
CREATE ROLE trovella_app LOGIN PASSWORD 'app-password' NOINHERIT NOBYPASSRLS;
CREATE ROLE trovella_auth LOGIN PASSWORD 'auth-password' NOINHERIT BYPASSRLS;
