-- Run once, by the mariadb image, when it initialises an empty volume (after
-- it created MARIADB_USER and MARIADB_DATABASE, compose.mariadb.yml's
-- `pageviews` both). The image gives that owner ALL on its database but
-- neither CREATE USER nor GRANT OPTION, and `pageviews migrate` needs both
-- to create the app's user and grant it SELECT and UPDATE. A volume made
-- before this file existed needs these two statements run once as root
-- (README: Database roles).
GRANT CREATE USER ON *.* TO 'pageviews'@'%';
GRANT ALL PRIVILEGES ON `pageviews`.* TO 'pageviews'@'%' WITH GRANT OPTION;
